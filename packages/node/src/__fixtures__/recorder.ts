import { recordingErrors, recordingMetrics } from '@monlight/test-utils'

/** Records what the SDK would send, standing in for the errors and metrics services in unit tests. */
export function createRecorder() {
  const errors = recordingErrors()
  const metrics = recordingMetrics()
  return { reports: errors.reports, points: metrics.points, errors, metrics }
}
