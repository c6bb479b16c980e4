{{- define "gonka-exporter.labels" -}}
app.kubernetes.io/name: gonka-exporter
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: gonka
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: gonka-exporter-{{ .Chart.Version }}
{{- end -}}
