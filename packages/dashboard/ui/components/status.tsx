import { STATUS_ICON } from '../format.js'

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`status status-${status}`} data-status={status} title={status}>
      <span class="status-icon" aria-hidden="true">{STATUS_ICON[status] ?? '•'}</span>
      <span class="status-text">{status}</span>
    </span>
  )
}

export function StatusIcon({ status }: { status: string }) {
  return (
    <span class={`status-icon status-${status}`} title={status} aria-label={status}>
      {STATUS_ICON[status] ?? '•'}
    </span>
  )
}
