// The e-RS FHIR systems the simulator's resources name (profiles, code systems, identifiers),
// from the public e-RS API specification.
export const SD = 'https://fhir.nhs.uk/STU3/StructureDefinition/';
export const CS = 'https://fhir.nhs.uk/STU3/CodeSystem/';
export const SERVICE = 'http://fhir.nhs.net/Id/ers-service';
