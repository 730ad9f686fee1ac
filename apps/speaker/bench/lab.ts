import type { BenchReport } from '@ironlb/bench-kit';
export async function measureLab(
  _report: BenchReport,
  _stage: (s: string) => void,
): Promise<void> {}
