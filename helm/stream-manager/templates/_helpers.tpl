{{/* Names and labels. */}}
{{- define "stream-manager.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "stream-manager.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "stream-manager.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stream-manager.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "stream-manager.labels" -}}
{{ include "stream-manager.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "stream-manager.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "stream-manager.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The chart's ConfigMap: the config document, mounted as --config. */}}
{{- define "stream-manager.configName" -}}
{{- printf "%s-config" (include "stream-manager.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The ConfigMap watched in configmap mode. */}}
{{- define "stream-manager.watchedConfigMap" -}}
{{- default (include "stream-manager.configName" .) .Values.configMap.name -}}
{{- end -}}

{{/* Kafka mode shares sources across replicas; configmap and file modes are not sharded. */}}
{{- define "stream-manager.replicas" -}}
{{- if eq .Values.mode "kafka" -}}{{ .Values.replicas }}{{- else -}}1{{- end -}}
{{- end -}}

{{/*
The manager-wide part of the config document (everything but `sources`). Read when the operator
starts, so the Deployment carries its checksum: a change here rolls the pods; a change of the
sources alone does not (configmap and file modes pick it up live).
*/}}
{{- define "stream-manager.managerConfig" -}}
{{- $doc := deepCopy .Values.extraConfig -}}
{{- $kafka := dict "client_id" "stream-manager" "properties" .Values.kafka.properties -}}
{{- $_ := set $doc "kafka" (merge $kafka (get $doc "kafka" | default dict)) -}}
{{- $manager := dict
      "config_topic" .Values.topics.config
      "status_topic" .Values.topics.status
      "offsets_topic" .Values.topics.offsets
      "config_topic_partitions" .Values.topics.configTopicPartitions
      "group_id" .Values.kafka.groupId
      "status_interval_seconds" .Values.statusIntervalSeconds
      "http_port" .Values.httpPort -}}
{{- $_ := set $doc "manager" (merge $manager (get $doc "manager" | default dict)) -}}
{{- toYaml $doc -}}
{{- end -}}

{{/*
The whole config document: the manager-wide part plus the sources (left out when configmap mode
watches another ConfigMap, so the chart's copy cannot be mistaken for the desired state).
*/}}
{{- define "stream-manager.configDocument" -}}
{{- $doc := include "stream-manager.managerConfig" . | fromYaml -}}
{{- if not (and (eq .Values.mode "configmap") .Values.configMap.name) -}}
{{- $_ := set $doc "sources" (.Values.sources | default dict) -}}
{{- end -}}
{{- toYaml $doc -}}
{{- end -}}
