// One implementation, shared with the soak driver (src/soak), which needs free ports too.
export { freePort } from '../../src/soak/index.js';
