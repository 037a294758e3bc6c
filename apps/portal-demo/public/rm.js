// RM page: selecting a matrix cell lists that cell's customers; choosing one opens the customer panel.
import { tokenFor } from './demo.js';

const book = document.getElementById('tk');
const customer = document.getElementById('customer');
const list = document.getElementById('cell-subjects');
const status = document.getElementById('cell-status');

const words = {
  'zh-CN': {
    hint: '选择矩阵中的一个格子以列出客户。',
    loading: '正在加载…',
    none: '该格子暂无客户。',
    failed: '加载失败。',
    count: (shown, total) =>
      shown < total
        ? `共 ${total.toLocaleString('zh-CN')} 位客户，显示前 ${shown.toLocaleString('zh-CN')} 位`
        : `共 ${total.toLocaleString('zh-CN')} 位客户`,
  },
  'zh-TW': {
    hint: '選擇矩陣中的一個格子以列出客戶。',
    loading: '正在載入…',
    none: '該格子暫無客戶。',
    failed: '載入失敗。',
    count: (shown, total) =>
      shown < total
        ? `共 ${total.toLocaleString('zh-TW')} 位客戶，顯示前 ${shown.toLocaleString('zh-TW')} 位`
        : `共 ${total.toLocaleString('zh-TW')} 位客戶`,
  },
  en: {
    hint: 'Select a cell of the matrix to list its customers.',
    loading: 'Loading…',
    none: 'No customers in this cell.',
    failed: 'Could not load the customers.',
    count: (shown, total) =>
      shown < total
        ? `Showing the first ${shown.toLocaleString('en')} of ${total.toLocaleString('en')} customers`
        : `${total.toLocaleString('en')} ${total === 1 ? 'customer' : 'customers'}`,
  },
};
const say = () => words[book.locale] ?? words.en;

// What the status line says, kept as a function of the locale so that switching language re-words it.
let said = (w) => w.hint;
function show(f) {
  said = f;
  status.textContent = f(say());
}
document.addEventListener('demo-locale-change', () => show(said));

let current;
book.addEventListener('tk-cell-select', async (event) => {
  current?.abort();
  const abort = (current = new AbortController());
  const query = new URLSearchParams({ scheme: event.filter.scheme, level: event.filter.level });
  show((w) => w.loading);
  list.replaceChildren();
  try {
    const token = await tokenFor(book);
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(`/v1/subjects?${query}`, { headers, signal: abort.signal });
    if (!res.ok) throw new Error(String(res.status));
    const body = await res.json();
    const items = body.items ?? [];
    const total = Math.max(event.count ?? 0, items.length);
    show((w) => (items.length ? w.count(items.length, total) : w.none));
    // textContent only: names come from data and must never be parsed as markup.
    list.replaceChildren(
      ...items.map((s) => {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = `${s.displayName} · ${s.id}`;
        button.addEventListener('click', () => open(s.id));
        li.append(button);
        return li;
      }),
    );
  } catch {
    if (abort.signal.aborted) return;
    show((w) => w.failed);
  }
});

function open(id) {
  customer.subject = id;
  document.getElementById('cust-id').textContent = id;
}
