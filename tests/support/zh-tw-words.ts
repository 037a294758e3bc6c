// Mainland words a conversion to Traditional characters leaves in, with what Taiwan says: one list for
// every zh-TW text the product shows (the console's words, the widgets').

/**
 * Mainland words a Traditional conversion keeps, and what a Taiwanese reader expects instead. Row and
 * column are the other way round in Taiwan (列 a row, 欄 a column); the console's test checks that one
 * on the import page's words by name, as 行 alone is also a bank.
 */
export const MAINLAND_WORDS: Readonly<Record<string, string>> = {
  數據: '資料',
  用戶: '使用者',
  默認: '預設',
  設置: '設定',
  導入: '匯入',
  導出: '匯出',
  信息: '資訊',
  網絡: '網路',
  服務器: '伺服器',
  加載: '載入',
  保存: '儲存',
  創建: '建立',
  新建: '建立',
  打開: '開啟',
  登錄: '登入',
  退出: '登出',
  搜索: '搜尋',
  鏈接: '連結',
  視頻: '影片',
  程序: '程式',
  菜單: '選單',
  運行: '執行',
  緩存: '快取',
  字段: '欄位',
  賬: '帳',
  審批: '審核、核准',
  校驗: '驗證',
  客戶經理: '理財專員',
  客戶號: '客戶編號',
  演示: '示範',
  令牌: '權杖',
  對映: '對應',
  字首: '開頭',
  當前: '目前',
  匹配: '配對',
  檔位: '級距',
  柱狀圖: '長條圖',
  熱力圖: '熱度圖',
  示例: '範例',
  對比: '比較',
  全量: '全部',
  首行: '標題列',
  排隊: '佇列',
  推遲: '延後',
  條記錄: '筆紀錄',
  支持: '支援',
};

/** Each `[where, text]` that holds a word of `words`, said as "where: “word” (say …) in “text”". */
export function mainlandWordsIn(
  texts: readonly (readonly [string, string])[],
  words: Readonly<Record<string, string>> = MAINLAND_WORDS,
): string[] {
  return texts.flatMap(([at, text]) =>
    Object.entries(words)
      .filter(([word]) => text.includes(word))
      .map(([word, tw]) => `${at}: “${word}” (say ${tw}) in “${text}”`),
  );
}
