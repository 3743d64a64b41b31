// What the route modules and background workers share: the live portal and the simulator's services. `state` is
// a getter because reset() swaps in a new PortalState.
import type { FileOperations } from './fileops';
import type { FaultInjector } from './faults';
import type { PortalState } from './state';
import type { TemplateCreations } from './templates';
import type { SimFile, SimFolder } from './types';
import type { Webhooks } from './webhooks';

export interface SimContext {
  readonly state: PortalState;
  now(): number;
  readonly ops: FileOperations;
  readonly templates: TemplateCreations;
  readonly webhooks: Webhooks;
  readonly faults: FaultInjector;
  /** Publishes a file/folder/room trigger with the entry's FileEntry payload as it is now. */
  emit(trigger: string, entry: SimFile | SimFolder, actor: string): void;
}
