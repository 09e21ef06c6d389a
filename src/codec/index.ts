export {
  encodeSessionData,
  decodeSessionData,
  decodeItem,
  buildSessionItem,
  buildTombstoneItem,
  itemSizeBytes,
} from './codec.js';
export type { Item, SessionRecord, StoredSession, Tombstone, EncodedData, SessionItemFields } from './codec.js';
export { ATTR, DATA_FORMAT_VERSION, toEpochSeconds, fromEpochSeconds } from './item-format.js';
export { stableStringify, sessionBodyJson, sessionBodyText, sameSessionBody } from './stable-json.js';
export { isValidSessionId } from './session-id.js';
