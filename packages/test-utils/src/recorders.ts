import type { ErrorIngest, ErrorIngestResult, ErrorReport, MetricPoint, MetricsIngest } from '@monlight/core'

/** Stands in for the errors module's service: records each report and answers like the error tracker. */
export function recordingErrors(): ErrorIngest & { reports: ErrorReport[] } {
  const reports: ErrorReport[] = []
  return {
    reports,
    async ingest(report): Promise<ErrorIngestResult> {
      reports.push(report)
      return { status: 'created', id: reports.length, fingerprint: 'f'.repeat(32) }
    },
  }
}

/** Stands in for the metrics module's service: records each point. */
export function recordingMetrics(): MetricsIngest & { points: MetricPoint[] } {
  const points: MetricPoint[] = []
  return {
    points,
    async ingest(batch) {
      points.push(...batch)
      return { count: batch.length }
    },
  }
}
