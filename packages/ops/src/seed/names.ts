import type { Prng } from './prng.js';

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华玉兰萍建国志红文辉晓婷雪梅鹏飞宇浩然欣怡子涵思远佳琪俊杰海燕晨曦嘉怡'];
const COMPANY_PREFIX = ['华', '恒', '瑞', '鼎', '宏', '嘉', '中', '新', '金', '盛', '东', '博'];
const COMPANY_MID = ['信', '达', '丰', '泰', '源', '创', '通', '远', '安', '利', '诚', '科'];
const COMPANY_SUFFIX = ['科技有限公司', '贸易有限公司', '实业有限公司', '商贸有限公司', '软件有限公司', '制造有限公司'];
const PRODUCT_KINDS = ['稳健理财', '债券基金', '混合基金', '股票基金', '结构性存款', '私募股权'];

/** A Chinese personal name of two or three characters. */
export function personName(rng: Prng): string {
  const given = rng.chance(0.35) ? rng.pick(GIVEN) : rng.pick(GIVEN) + rng.pick(GIVEN);
  return rng.pick(SURNAMES) + given;
}

export function companyName(rng: Prng): string {
  return `${rng.pick(COMPANY_PREFIX)}${rng.pick(COMPANY_MID)}${rng.pick(COMPANY_SUFFIX)}`;
}

export function productName(rng: Prng, n: number): string {
  return `${rng.pick(PRODUCT_KINDS)}${String(n).padStart(3, '0')}号`;
}
