// Server-side printing of the non-core built-in kinds (apps, batch, discovery, coordination,
// RBAC, policy, networking, scheduling, admissionregistration), after Kubernetes'
// pkg/printers/internalversion/printers.go (printDeployment, printDaemonSet, printReplicaSet,
// printStatefulSet, printJob, printEndpointSlice, printLease, printRole, printRoleBinding,
// printPodDisruptionBudget, printNetworkPolicy, printPriorityClass, printValidatingWebhook...).
import { isObject, type Json, type JsonObject } from '../schema/structural.ts';
import type { KubeObject } from '../registry/types.ts';
import { formatLabels, formatSelector, humanDuration, since } from './format.ts';
import { AGE, col, CONTAINERS, IMAGES, NAME, type Cell, type Printer } from './printer.ts';

const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const obj = (v: Json | undefined): JsonObject => (isObject(v) ? v : {});
const str = (v: Json | undefined): string => (typeof v === 'string' ? v : '');
const num = (v: Json | undefined): number => (typeof v === 'number' ? v : 0);

const SELECTOR = col('Selector', 'string', 'Label selector for pods.', 1);

function templateCells(spec: JsonObject): [string, string, string] {
  const cs = arr(obj(obj(spec.template).spec).containers).map(obj);
  return [
    cs.map((c) => str(c.name)).join(','),
    cs.map((c) => str(c.image)).join(','),
    formatSelector(isObject(spec.selector) ? spec.selector : undefined),
  ];
}

const age = (o: KubeObject, now: number) => since(o.metadata.creationTimestamp, now);
const createdAt = (o: KubeObject): string => str(o.metadata.creationTimestamp);

/** printJob's STATUS (1.35 order: terminal conditions, deletion, then interim conditions). */
function jobStatus(st: JsonObject, o: KubeObject): string {
  const has = (t: string) =>
    arr(st.conditions)
      .map(obj)
      .some((c) => c.type === t && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (has('Suspended')) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export const otherPrinters: Record<string, Printer> = {
  'apps/Deployment': {
    columns: [
      NAME,
      col('Ready', 'string', 'Number of the pod with ready state'),
      col(
        'Up-to-date',
        'string',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      ),
      col(
        'Available',
        'string',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      ),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    cells(o, now) {
      const spec = obj(o.spec);
      const st = obj(o.status);
      return [
        o.metadata.name ?? '',
        `${num(st.readyReplicas)}/${num(spec.replicas)}`,
        num(st.updatedReplicas),
        num(st.availableReplicas),
        age(o, now),
        ...templateCells(spec),
      ];
    },
  },
  'apps/DaemonSet': {
    columns: [
      NAME,
      col(
        'Desired',
        'integer',
        'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).',
      ),
      col(
        'Current',
        'integer',
        'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
      ),
      col(
        'Ready',
        'integer',
        'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
      ),
      col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
      col(
        'Available',
        'integer',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
      ),
      col(
        'Node Selector',
        'string',
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.",
      ),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    cells(o, now) {
      const spec = obj(o.spec);
      const st = obj(o.status);
      return [
        o.metadata.name ?? '',
        num(st.desiredNumberScheduled),
        num(st.currentNumberScheduled),
        num(st.numberReady),
        num(st.updatedNumberScheduled),
        num(st.numberAvailable),
        formatLabels(obj(obj(spec.template).spec).nodeSelector),
        age(o, now),
        ...templateCells(spec),
      ];
    },
  },
  'apps/ReplicaSet': {
    columns: [
      NAME,
      col('Desired', 'integer', 'Replicas is the number of desired pods.'),
      col(
        'Current',
        'integer',
        'Replicas is the most recently observed number of non-terminating pods.',
      ),
      col(
        'Ready',
        'integer',
        'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.',
      ),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    cells(o, now) {
      const spec = obj(o.spec);
      const st = obj(o.status);
      return [
        o.metadata.name ?? '',
        num(spec.replicas),
        num(st.replicas),
        num(st.readyReplicas),
        age(o, now),
        ...templateCells(spec),
      ];
    },
  },
  'apps/StatefulSet': {
    columns: [
      NAME,
      col('Ready', 'string', 'Number of the pod with ready state'),
      AGE,
      CONTAINERS,
      IMAGES,
    ],
    cells(o, now) {
      const spec = obj(o.spec);
      const [c, i] = templateCells(spec);
      return [
        o.metadata.name ?? '',
        `${num(obj(o.status).readyReplicas)}/${num(spec.replicas)}`,
        age(o, now),
        c,
        i,
      ];
    },
  },
  'batch/Job': {
    columns: [
      NAME,
      col('Status', 'string', 'Status of the job.'),
      col(
        'Completions',
        'string',
        'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.',
      ),
      col('Duration', 'string', 'Time required to complete the job.'),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    cells(o, now) {
      const spec = obj(o.spec);
      const st = obj(o.status);
      const completions =
        typeof spec.completions === 'number'
          ? `${num(st.succeeded)}/${spec.completions}`
          : spec.parallelism !== undefined && num(spec.parallelism) > 1
            ? `${num(st.succeeded)}/1 of ${num(spec.parallelism)}`
            : `${num(st.succeeded)}/1`;
      let duration = '';
      if (str(st.startTime)) {
        const end = str(st.completionTime) ? Date.parse(str(st.completionTime)) : now;
        duration = humanDuration(end - Date.parse(str(st.startTime)));
      }
      return [
        o.metadata.name ?? '',
        jobStatus(st, o),
        completions,
        duration,
        age(o, now),
        ...templateCells(spec),
      ];
    },
  },
  'discovery.k8s.io/EndpointSlice': {
    columns: [
      NAME,
      col(
        'AddressType',
        'string',
        'addressType specifies the type of address carried by this EndpointSlice.',
      ),
      col(
        'Ports',
        'string',
        'ports specifies the list of network ports exposed by each endpoint in this slice.',
      ),
      col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
      AGE,
    ],
    cells(o, now) {
      const ports = arr(o.ports).map((p) =>
        typeof obj(p).port === 'number' ? String(obj(p).port) : '<unset>',
      );
      const addrs = arr(o.endpoints).flatMap((e) => arr(obj(e).addresses).map(str));
      const more = (xs: string[]) =>
        xs.length === 0
          ? '<unset>'
          : xs.length > 3
            ? `${xs.slice(0, 3).join(',')} + ${xs.length - 3} more...`
            : xs.join(',');
      return [o.metadata.name ?? '', str(o.addressType), more(ports), more(addrs), age(o, now)];
    },
  },
  'coordination.k8s.io/Lease': {
    columns: [NAME, col('Holder', 'string', 'The holder of the lease.'), AGE],
    cells: (o, now) => [
      o.metadata.name ?? '',
      str(obj(o.spec).holderIdentity) || '<none>',
      age(o, now),
    ],
  },
  'rbac.authorization.k8s.io/Role': {
    columns: [NAME, col('Created At', 'date', 'Time at which the object was created.')],
    cells: (o) => [o.metadata.name ?? '', createdAt(o)],
  },
  'rbac.authorization.k8s.io/ClusterRole': {
    columns: [NAME, col('Created At', 'date', 'Time at which the object was created.')],
    cells: (o) => [o.metadata.name ?? '', createdAt(o)],
  },
  'policy/PodDisruptionBudget': {
    columns: [
      NAME,
      col('Min Available', 'string', 'The minimum number of pods that must be available.'),
      col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
      col(
        'Allowed Disruptions',
        'integer',
        'Calculated number of pods that may be disrupted at this time.',
      ),
      AGE,
    ],
    cells(o, now) {
      const spec = obj(o.spec);
      const v = (x: Json | undefined) => (x === undefined || x === null ? 'N/A' : String(x));
      return [
        o.metadata.name ?? '',
        v(spec.minAvailable),
        v(spec.maxUnavailable),
        num(obj(o.status).disruptionsAllowed),
        age(o, now),
      ];
    },
  },
  'networking.k8s.io/NetworkPolicy': {
    columns: [
      NAME,
      col('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'),
      AGE,
    ],
    cells: (o, now) => [
      o.metadata.name ?? '',
      formatSelector(obj(obj(o.spec).podSelector)),
      age(o, now),
    ],
  },
  'scheduling.k8s.io/PriorityClass': {
    columns: [
      NAME,
      col('Value', 'integer', 'The value of this priority class.'),
      col(
        'Global-Default',
        'boolean',
        'globalDefault specifies whether this PriorityClass should be considered as the default priority.',
      ),
      AGE,
      col(
        'PreemptionPolicy',
        'string',
        'PreemptionPolicy is the Policy for preempting pods with lower priority.',
      ),
    ],
    cells: (o, now) => [
      o.metadata.name ?? '',
      num(o.value),
      o.globalDefault === true,
      age(o, now),
      // A nil PreemptionPolicy prints empty (defaulting makes it rare).
      str(o.preemptionPolicy),
    ],
  },
};

function bindingPrinter(): Printer {
  return {
    columns: [
      NAME,
      col(
        'Role',
        'string',
        'RoleRef references a Role in the current namespace or a ClusterRole in the global namespace.',
      ),
      AGE,
      col('Users', 'string', 'Users in the roleBinding', 1),
      col('Groups', 'string', 'Groups in the roleBinding', 1),
      col('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
    ],
    cells(o, now): Cell[] {
      const ref = obj(o.roleRef);
      const subs = arr(o.subjects).map(obj);
      const pick = (k: string) =>
        subs
          .filter((s) => s.kind === k)
          .map((s) => (k === 'ServiceAccount' ? `${str(s.namespace)}:${str(s.name)}` : str(s.name)))
          .join(', ');
      return [
        o.metadata.name ?? '',
        `${str(ref.kind)}/${str(ref.name)}`,
        age(o, now),
        pick('User'),
        pick('Group'),
        pick('ServiceAccount'),
      ];
    },
  };
}

function webhookPrinter(): Printer {
  return {
    columns: [
      NAME,
      col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks in the configuration.'),
      AGE,
    ],
    cells: (o, now) => [o.metadata.name ?? '', arr(o.webhooks).length, age(o, now)],
  };
}

otherPrinters['rbac.authorization.k8s.io/RoleBinding'] = bindingPrinter();
otherPrinters['rbac.authorization.k8s.io/ClusterRoleBinding'] = bindingPrinter();
otherPrinters['admissionregistration.k8s.io/ValidatingWebhookConfiguration'] = webhookPrinter();
otherPrinters['admissionregistration.k8s.io/MutatingWebhookConfiguration'] = webhookPrinter();
