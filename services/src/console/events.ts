// The console's account events moved to the audit module, which the domain layer writes to as well.
export { auditEvent } from '../audit/audit.ts';
