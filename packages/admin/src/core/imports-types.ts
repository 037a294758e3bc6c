/*
 * Wire shapes of `/v1/imports`: their one home is @tierkit/core/wire, where the API that sends them
 * takes them from too. Not in @tierkit/client: the widgets' bundle must not carry the console's API.
 */
export type {
  ImportAmounts,
  ImportDetail,
  ImportEncoding,
  ImportKind,
  ImportMode,
  ImportPreview,
  ImportRecord,
  ImportRowError,
  ImportStatus,
} from '@tierkit/core/wire';
