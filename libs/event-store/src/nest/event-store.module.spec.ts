import { selectEventStoreAdapter } from './event-store.module';

describe('event store selection', () => {
  it('selects KurrentDB for a KurrentDB connection string, PostgreSQL otherwise, and refuses other URLs', () => {
    const db = 'postgres://localhost/bedside';
    expect(selectEventStoreAdapter({ connectionString: db })).toBe('postgres');
    expect(selectEventStoreAdapter({ connectionString: db, eventStoreUrl: '' })).toBe('postgres');
    expect(selectEventStoreAdapter({ connectionString: db, eventStoreUrl: 'kurrentdb://localhost:2113?tls=false' })).toBe('kurrentdb');
    expect(selectEventStoreAdapter({ connectionString: db, eventStoreUrl: 'kurrentdb+discover://a,b,c:2113' })).toBe('kurrentdb');
    expect(selectEventStoreAdapter({ connectionString: db, eventStoreUrl: 'esdb://localhost:2113' })).toBe('kurrentdb');
    expect(() => selectEventStoreAdapter({ connectionString: db, eventStoreUrl: 'postgres://user:secret@elsewhere/db' })).toThrow(/KurrentDB connection string/);
    expect(() => selectEventStoreAdapter({ connectionString: db, eventStoreUrl: 'postgres://user:secret@elsewhere/db' })).not.toThrow(/secret/);
  });
});
