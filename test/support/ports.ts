// One implementation, shared with the soak driver (tools/soak), which needs free ports too.
export { freePort } from '../../tools/soak/index.js';
