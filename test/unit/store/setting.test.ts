import { describe, expect, it } from 'vitest';
import { postgresTarget, redactStoreSetting } from '../../../src/store/index.js';

describe('store settings in logs and errors', () => {
  it('hides passwords in the URL and in a password parameter', () => {
    expect(redactStoreSetting('postgres://mhs:p%40ss:word@db.example:5433/mhs?sslmode=require')).toBe(
      'postgres://mhs:***@db.example:5433/mhs?sslmode=require',
    );
    expect(redactStoreSetting('postgresql://db/mhs?user=mhs&password=s3cret&x=1')).toBe(
      'postgresql://db/mhs?user=mhs&password=***&x=1',
    );
    expect(redactStoreSetting('postgres://mhs:p@ss@db/mhs')).toBe('postgres://mhs:***@db/mhs');
    expect(redactStoreSetting('postgres://mhs@db/mhs')).toBe('postgres://mhs@db/mhs');
    expect(redactStoreSetting('sqlite:/var/lib/mhs/state.db')).toBe('sqlite:/var/lib/mhs/state.db');
  });

  it('names host, port and database only', () => {
    expect(postgresTarget('postgres://mhs:s3cret@db.example:5433/mhs_prod')).toBe('db.example:5433/mhs_prod');
    expect(postgresTarget('postgresql://db.example/mhs')).toBe('db.example:5432/mhs');
    expect(postgresTarget('postgres:///mhs?host=/var/run/postgresql')).toBe('/var/run/postgresql:5432/mhs');
  });
});
