export { type ApiDependencies, createApi } from './app.js';
export { fieldPath, type Problem, sendProblem, validationProblem } from './problem.js';
