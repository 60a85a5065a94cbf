import { SqliteMessageStore } from './sqlite.js';
import type { MessageStore } from './types.js';

export { SqliteMessageStore } from './sqlite.js';
export * from './types.js';

/** Opens the store a `store` setting names (`sqlite:<path>`); PostgreSQL arrives with multi-instance work. */
export function openStore(setting: string): MessageStore {
  if (setting.startsWith('sqlite:')) return new SqliteMessageStore(setting.slice('sqlite:'.length));
  throw new Error(`store ${setting.replace(/\/\/[^@]*@/, '//***@')} is not supported yet: use sqlite:<path>`);
}
