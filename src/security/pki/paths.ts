import { join } from 'node:path';

/** Where the development PKI keeps its files: one CA and a certificate/key pair per party. */
export interface DevPkiPaths {
  dir: string;
  caCert: string;
  caKey: string;
  gatewayCert: string;
  gatewayKey: string;
  simulatorCert: string;
  simulatorKey: string;
}

export function devPkiPaths(dir: string): DevPkiPaths {
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    gatewayCert: join(dir, 'gateway.pem'),
    gatewayKey: join(dir, 'gateway.key'),
    simulatorCert: join(dir, 'simulator.pem'),
    simulatorKey: join(dir, 'simulator.key'),
  };
}
