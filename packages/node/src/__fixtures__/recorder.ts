import type { ErrorIngest, ErrorReport, MetricPoint, MetricsIngest } from '@monlight/core'

/** Records what the SDK would send, standing in for the errors and metrics services in unit tests. */
export function createRecorder() {
  const reports: ErrorReport[] = []
  const points: MetricPoint[] = []
  const errors: ErrorIngest = {
    async ingest(report) {
      reports.push(report)
      return { status: 'created', id: reports.length, fingerprint: 'f'.repeat(32) }
    },
  }
  const metrics: MetricsIngest = {
    async ingest(batch) {
      points.push(...batch)
      return { count: batch.length }
    },
  }
  return { reports, points, errors, metrics }
}
