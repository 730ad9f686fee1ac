{{/*
Names and labels. IronLB's objects carry app.kubernetes.io/name=ironlb and are named
<fullname>-controller / <fullname>-speaker, so that a MetalLB installation (named controller /
speaker with app=metallb, or metallb-* from its chart) and IronLB's can be told apart in the same
namespace — by people, by the coexistence guard and by memberlist's peer label selector.
*/}}
{{- define "ironlb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ironlb.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ironlb.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. The all-in-one manifest (standalone) has no Helm labels. */}}
{{- define "ironlb.labels" -}}
{{ include "ironlb.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/part-of: ironlb
{{- if not .Values.standalone }}
helm.sh/chart: {{ include "ironlb.chart" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- end }}

{{- define "ironlb.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ironlb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ironlb.controller.serviceAccountName" -}}
{{- if .Values.controller.serviceAccount.create }}
{{- default (printf "%s-controller" (include "ironlb.fullname" .)) .Values.controller.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.controller.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ironlb.speaker.serviceAccountName" -}}
{{- if .Values.speaker.serviceAccount.create }}
{{- default (printf "%s-speaker" (include "ironlb.fullname" .)) .Values.speaker.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.speaker.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The memberlist Secret: IronLB's own name, so MetalLB's `memberlist` Secret (owned and
garbage-collected with MetalLB's controller Deployment) never races with IronLB's. */}}
{{- define "ironlb.secretName" -}}
{{- default (printf "%s-memberlist" (include "ironlb.fullname" .)) .Values.speaker.secretName | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ironlb.controller.image" -}}
{{ .Values.controller.image.repository }}:{{ .Values.controller.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "ironlb.speaker.image" -}}
{{ .Values.speaker.image.repository }}:{{ .Values.speaker.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* MetalLB's memberlist label selector, on IronLB's labels: speakers join only IronLB speakers. */}}
{{- define "ironlb.mlLabels" -}}
app.kubernetes.io/name={{ include "ironlb.name" . }},app.kubernetes.io/component=speaker
{{- end }}

{{/* TLS flags shared by both components. */}}
{{- define "ironlb.tlsArgs" -}}
{{- if .Values.tls.cipherSuites }}
- --tls-cipher-suites={{ .Values.tls.cipherSuites }}
{{- end }}
{{- if .Values.tls.curvePreferences }}
- --tls-curve-preferences={{ .Values.tls.curvePreferences }}
{{- end }}
{{- if .Values.tls.minVersion }}
- --tls-min-version={{ .Values.tls.minVersion }}
{{- end }}
{{- end }}

{{/* An httpGet probe from values (port, thresholds); host for the host-networked speaker. */}}
{{- define "ironlb.probe" -}}
httpGet:
  path: {{ .path }}
  port: {{ .probe.port }}
  {{- with .host }}
  host: {{ . }}
  {{- end }}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
successThreshold: {{ .probe.successThreshold }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}
