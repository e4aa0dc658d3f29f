// The package ships no types: the shape of what it returns, as read from its source (1.1.1).
declare module 'parse-prometheus-text-format' {
  export interface ParsedMetric {
    value?: string
    labels?: Record<string, string>
    buckets?: Record<string, string>
    quantiles?: Record<string, string>
    count?: string
    sum?: string
    timestamp_ms?: string
  }
  export interface ParsedFamily {
    name: string
    help: string
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
    metrics: ParsedMetric[]
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[]
}
