// Small readers of e-RS's STU3 JSON shared by the referral and the advice-and-guidance mappings. Pure.

export interface Coded {
  code: string;
  display?: string;
}

export interface ServiceRef {
  id: string;
  name?: string;
}

export interface ReferralAttachmentInfo {
  id: string;
  title: string;
  contentType: string;
  /** Binary/{id} as e-RS gives it (A042/A006 path). */
  url: string;
  size?: number;
  /** eRS-AvailabilityStatus-1: AVAILABLE, PENDING, THREATS_FOUND, VALIDATION_FAILED. */
  availability?: string;
  /** Who attached it: PROVIDER, REFERRER… (eRS-AttachmentType-1). */
  attachedAs?: string;
}

export type Json = Record<string, unknown>;

export const SD = 'https://fhir.nhs.uk/STU3/StructureDefinition/';
export const SERVICE_SYSTEM = 'http://fhir.nhs.net/Id/ers-service';
export const NHS_NUMBER_SYSTEM = 'http://fhir.nhs.net/Id/nhs-number';

export function serviceRef(value: unknown): ServiceRef | undefined {
  if (!isObject(value)) return undefined;
  const identifier = value.identifier as Json | undefined;
  if (identifier?.system !== SERVICE_SYSTEM || !str(identifier.value)) return undefined;
  return omitUndefined({ id: str(identifier.value)!, name: str(value.display) }) as ServiceRef;
}

export function coded(value: unknown): Coded | undefined {
  if (!isObject(value) || !str(value.code)) return undefined;
  return omitUndefined({ code: str(value.code)!, display: str(value.display) }) as Coded;
}

/** The first coding of a CodeableConcept. */
export function firstCoding(concept: unknown): Coded | undefined {
  return coded(arr((concept as Json | undefined)?.coding)[0]);
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function omitUndefined<T extends Json>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The files one eRS-DocumentReference-1 points at, with e-RS's availability for each. */
export function documentAttachments(doc: Json): ReferralAttachmentInfo[] {
  const attachedAs = coded(arr((doc.type as Json | undefined)?.coding)[0])?.code;
  return arr(doc.content)
    .filter(isObject)
    .map((content) => content.attachment)
    .filter(isObject)
    .map((attachment): ReferralAttachmentInfo | undefined => {
      const url = str(attachment.url);
      const id = str(attachment.id) ?? url?.replace(/^.*\//, '');
      if (!url || !id) return undefined;
      const availability = arr(attachment.extension)
        .filter(isObject)
        .find((e) => e.url === `${SD}Extension-eRS-AvailabilityStatus-1`)?.valueCoding;
      const size = typeof attachment.size === 'number' ? attachment.size : undefined;
      return omitUndefined({
        id,
        title: str(attachment.title) ?? id,
        contentType: str(attachment.contentType) ?? 'application/octet-stream',
        url,
        size,
        availability: coded(availability)?.code,
        attachedAs,
      }) as ReferralAttachmentInfo;
    })
    .filter((a): a is ReferralAttachmentInfo => a !== undefined);
}

/**
 * A versioned e-RS resource of the type expected, with its UBRN (id) and version (meta.versionId),
 * and its extensions by profile name; anything else is thrown as the caller's shape error.
 */
export function versionedResource(
  resource: unknown,
  resourceType: string,
  shapeError: new (message: string) => Error,
): { resource: Json; ubrn: string; version: number; extension: (name: string) => Json | undefined } {
  if (!isObject(resource) || resource.resourceType !== resourceType)
    throw new shapeError(`not a ${resourceType}`);
  const ubrn = str(resource.id);
  const version = Number(str((resource.meta as Json | undefined)?.versionId));
  if (!ubrn || !Number.isInteger(version))
    throw new shapeError(`${resourceType} without id or meta.versionId`);
  const extensions = arr(resource.extension).filter(isObject);
  return { resource, ubrn, version, extension: (name) => extensions.find((e) => e.url === `${SD}${name}`) };
}
