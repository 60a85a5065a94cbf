export {
  type ApiKeyRecord,
  findApiKey,
  generateApiKey,
  hashApiKey,
  isValidKeyName,
  loadApiKeys,
  readKeysFile,
  writeKeysFile,
} from './api-keys.js';
export { type ApiDependencies, createApi } from './app.js';
export { type ApiAuth, OPEN_ROUTES, requireApiKey } from './auth.js';
export { deadLetterActionRoutes } from './dead-letters.js';
export { fieldPath, type Problem, sendProblem, validationProblem } from './problem.js';
