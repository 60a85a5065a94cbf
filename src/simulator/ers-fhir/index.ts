// The simulated e-RS FHIR API (docs/ers-fhir.md): its parts are the FHIR endpoints, the token
// endpoint, the object store, fault injection, the control API and the state they share.
export { type AdviceInput, AdviceSimulator, type SimAdvice } from './advice.js';
export type { ErsFault } from './faults.js';
export { clinicalInformationPdf } from './referral-endpoints.js';
export type { SimReferral } from './resources.js';
export { ErsFhirSimulator, type ErsFhirSimulatorSettings } from './simulator.js';
