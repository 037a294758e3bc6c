import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicyPack } from '../index.js';

/*
 * zh-TW is what a bank in Taiwan would print, not zh-CN in traditional characters: a customer there
 * has a 理財專員 (not a 客戶經理), banks at the 臨櫃 counter (not 櫃面), gets a 加碼 on the deposit rate
 * (not 上浮) and visits the 機場貴賓室.
 */
const MAINLAND: readonly (readonly [string, string])[] = [
  ['上浮', '加碼'],
  ['客戶經理', '理財專員'],
  ['櫃面', '臨櫃'],
  ['貴賓廳', '貴賓室'],
  ['日均', '月平均'],
  ['高端', '頂級'],
  ['跟蹤', '追蹤'],
  ['敞口', '曝險'],
  ['緩釋', '抵減'],
  ['司齡', '年資'],
  ['從業人員', '員工人數'],
  ['計劃', '計畫'],
  ['信息', '資訊'],
  ['數據', '資料'],
  ['網點', '分行'],
  ['默認', '預設'],
];

function zhTw(value: unknown, path: string, out: [string, string][]): [string, string][] {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) zhTw(v, `${path}[${i}]`, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'zh-TW' && typeof v === 'string') out.push([path, v]);
      else zhTw(v, `${path}.${k}`, out);
    }
  }
  return out;
}

describe('the default pack’s zh-TW labels use Taiwan wording', () => {
  it('no mainland banking term in any zh-TW label of a scheme, level, entitlement or metric', () => {
    const texts = zhTw(defaultPolicyPack, 'pack', []);
    assert.ok(texts.length > 100, 'every label is read');
    const found = texts.flatMap(([path, text]) =>
      MAINLAND.filter(([cn]) => text.includes(cn)).map(([cn, tw]) => `${path}: 「${text}」 says ${cn}, Taiwan says ${tw}`),
    );
    assert.deepEqual(found, []);
  });
});
