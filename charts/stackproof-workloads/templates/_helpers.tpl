{{/*
Chart name, overridable; truncated to 63 characters (the DNS label limit).
*/}}
{{- define "stackproof-workloads.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Resource name prefix: the release name, plus the chart name unless the release already holds it.
Truncated so that "<fullname>-frontend" still fits 63 characters.
*/}}
{{- define "stackproof-workloads.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Name of one component's resources. Call with (dict "context" $ "component" "backend").
*/}}
{{- define "stackproof-workloads.componentName" -}}
{{- printf "%s-%s" (include "stackproof-workloads.fullname" .context) .component }}
{{- end }}

{{- define "stackproof-workloads.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels of one component. They never change across upgrades (a Deployment's selector is
immutable), so the version and chart labels stay out of them.
Call with (dict "context" $ "component" "backend").
*/}}
{{- define "stackproof-workloads.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stackproof-workloads.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Full label set of one component's resources. Call with (dict "context" $ "component" "backend").
*/}}
{{- define "stackproof-workloads.labels" -}}
helm.sh/chart: {{ include "stackproof-workloads.chart" .context }}
{{ include "stackproof-workloads.selectorLabels" . }}
app.kubernetes.io/version: {{ .context.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
app.kubernetes.io/part-of: stackproof
{{- end }}

{{/*
Selector of every workload pod of this release (backend, frontend and the migrations Job), for
the policies that apply to all of them. The chart's test pod is left out on purpose.
*/}}
{{- define "stackproof-workloads.workloadPodSelector" -}}
matchLabels:
  app.kubernetes.io/name: {{ include "stackproof-workloads.name" . }}
  app.kubernetes.io/instance: {{ .Release.Name }}
matchExpressions:
  - key: app.kubernetes.io/component
    operator: In
    values:
      - backend
      - frontend
      - migrations
{{- end }}

{{/*
Image reference of one component. Call with (dict "context" $ "component" "backend").
*/}}
{{- define "stackproof-workloads.image" -}}
{{- $repository := index .context.Values (printf "%sImageRepository" .component) }}
{{- $tag := index .context.Values (printf "%sImageTag" .component) }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}

{{/*
Name of the Secret holding the database username and password.
*/}}
{{- define "stackproof-workloads.databaseSecretName" -}}
{{- default (printf "%s-database" (include "stackproof-workloads.fullname" .)) .Values.databaseCredentialsSecretName }}
{{- end }}

{{/*
Zone and node spread of one component's pods: zone balance is the availability claim, node
balance a preference. matchLabelKeys keeps a rollout's new ReplicaSet from counting old pods.
nodeTaintsPolicy Honor leaves tainted nodes out of the skew: when a zone is lost its nodes carry
the unreachable taint, and counting that empty zone would make every other zone "too full" for
the replacement pods (DoNotSchedule), so nothing could be rescheduled during the outage.
Call with (dict "context" $ "component" "backend").
*/}}
{{- define "stackproof-workloads.topologySpreadConstraints" -}}
- maxSkew: {{ .context.Values.topologySpreadMaxSkew }}
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: {{ .context.Values.topologySpreadZoneWhenUnsatisfiable }}
  nodeTaintsPolicy: Honor
  labelSelector:
    matchLabels:
      {{- include "stackproof-workloads.selectorLabels" . | nindent 6 }}
  matchLabelKeys:
    - pod-template-hash
- maxSkew: {{ .context.Values.topologySpreadMaxSkew }}
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: {{ .context.Values.topologySpreadHostnameWhenUnsatisfiable }}
  nodeTaintsPolicy: Honor
  labelSelector:
    matchLabels:
      {{- include "stackproof-workloads.selectorLabels" . | nindent 6 }}
  matchLabelKeys:
    - pod-template-hash
{{- end }}

{{/*
Explicit HPA behavior shared by both services: scale up fast (double, or +4 pods, per minute),
scale down slowly (at most half per minute after the stabilization window).
*/}}
{{- define "stackproof-workloads.hpaBehavior" -}}
scaleUp:
  stabilizationWindowSeconds: {{ .Values.autoscalingScaleUpStabilizationSeconds }}
  selectPolicy: Max
  policies:
    - type: Percent
      value: 100
      periodSeconds: 60
    - type: Pods
      value: 4
      periodSeconds: 60
scaleDown:
  stabilizationWindowSeconds: {{ .Values.autoscalingScaleDownStabilizationSeconds }}
  selectPolicy: Min
  policies:
    - type: Percent
      value: 50
      periodSeconds: 60
    - type: Pods
      value: 2
      periodSeconds: 60
{{- end }}

{{/*
Database connection environment of the backend and its migrations Job: libpq variables, the
credentials from the (External Secrets managed) Secret, the CA bundle path for verify-* modes.
*/}}
{{- define "stackproof-workloads.databaseEnv" -}}
- name: PGHOST
  value: {{ .Values.databaseHost | quote }}
- name: PGPORT
  value: {{ .Values.databasePort | quote }}
- name: PGDATABASE
  value: {{ .Values.databaseName | quote }}
- name: PGSSLMODE
  value: {{ .Values.databaseSslMode | quote }}
{{- if .Values.databaseCaConfigMapName }}
- name: PGSSLROOTCERT
  value: /etc/stackproof/database-ca/ca.pem
{{- end }}
- name: PGUSER
  valueFrom:
    secretKeyRef:
      name: {{ include "stackproof-workloads.databaseSecretName" . }}
      key: username
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "stackproof-workloads.databaseSecretName" . }}
      key: password
{{- end }}

{{/*
The CA bundle volume and its mount; include only when databaseCaConfigMapName is set.
*/}}
{{- define "stackproof-workloads.databaseCaVolumeMount" -}}
- name: database-ca
  mountPath: /etc/stackproof/database-ca
  readOnly: true
{{- end }}

{{- define "stackproof-workloads.databaseCaVolume" -}}
- name: database-ca
  configMap:
    name: {{ .Values.databaseCaConfigMapName }}
    items:
      - key: ca.pem
        path: ca.pem
{{- end }}
