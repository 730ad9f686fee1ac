import type { MulticastMembership } from '../io/multicast.js';

/** Records joins and leaves instead of touching sockets. `groups` is the current joined set. */
export class RecordingMembership implements MulticastMembership {
  readonly log: string[] = [];
  readonly groups = new Set<string>();
  closed = false;
  join(group: string, iface: string): void {
    this.log.push(`join ${group}%${iface}`);
    this.groups.add(`${group}%${iface}`);
  }
  leave(group: string, iface: string): void {
    this.log.push(`leave ${group}%${iface}`);
    this.groups.delete(`${group}%${iface}`);
  }
  close(): void {
    this.closed = true;
  }
}
