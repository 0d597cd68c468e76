package parse

import (
	"slices"
	"strings"
	"sync"
)

// internedKeys holds the object keys that recur in every record of the
// JSON sources. Windows event data keys are taken from here instead of
// allocating a new string for each (a map lookup keyed by string(bytes)
// does not allocate).
var internedKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range strings.Fields(knownKeys + moreKeys) {
		m[k] = k
	}
	return m
}()

// internKey returns k as a string, without allocating for known keys.
func internKey(k []byte) string {
	if s, ok := internedKeys[string(k)]; ok {
		return s
	}
	return string(k)
}

const knownKeys = `
SourceName TimeCreated Hostname Task Channel Message EventID Keywords Opcode Level ProviderGuid
SubjectUserSid SubjectUserName SubjectDomainName SubjectLogonId TargetUserSid TargetUserName
TargetDomainName TargetLogonId TargetSid LogonType LogonProcessName AuthenticationPackageName
WorkstationName LogonGuid TransmittedServices LmPackageName KeyLength ProcessId ProcessName
IpAddress IpPort ImpersonationLevel RestrictedAdminMode TargetOutboundUserName
TargetOutboundDomainName VirtualAccount TargetLinkedLogonId ElevatedToken @timestamp @version
EventTime EventReceivedTime RecordNumber EventRecordID SeverityValue Severity ExecutionProcessID
ThreadID SourceModuleName SourceModuleType EventType OpcodeValue Category ActivityID
RuleName UtcTime ProcessGuid Image CommandLine CurrentDirectory User LogonId TerminalSessionId
IntegrityLevel Hashes ParentProcessGuid ParentProcessId ParentImage ParentCommandLine FileVersion
Description Product Company OriginalFileName SourceProcessGUID SourceProcessId SourceThreadId
SourceImage TargetProcessGUID TargetProcessId TargetImage GrantedAccess CallTrace TargetObject
Details TargetFilename CreationUtcTime QueryName QueryStatus QueryResults Protocol Initiated
SourceIsIpv6 SourceIp SourceHostname SourcePort SourcePortName DestinationIsIpv6 DestinationIp
DestinationHostname DestinationPort DestinationPortName ImageLoaded Signed Signature
SignatureStatus PipeName NewProcessId NewProcessName TokenElevationType ParentProcessName
MandatoryLabel ObjectServer ObjectType ObjectName HandleId AccessList AccessMask PrivilegeList
ShareName ShareLocalPath RelativeTargetName SourceAddress DestAddress DestPort Application
Direction FilterRTID LayerName LayerRTID RemoteUserID RemoteMachineID ServiceName ImagePath
ServiceType StartType AccountName MemberName MemberSid winlog event_data event_id channel
provider_name computer_name record_id`

const moreKeys = `
eventVersion userIdentity type principalId arn accountId accessKeyId userName sessionContext
sessionIssuer attributes creationDate mfaAuthenticated webIdFederationData invokedBy eventTime
eventSource eventName awsRegion sourceIPAddress userAgent requestParameters responseElements
additionalEventData requestID eventID readOnly eventType managementEvent recipientAccountId
eventCategory errorCode errorMessage resources tlsDetails tlsVersion cipherSuite
clientProvidedHostHeader sharedEventID vpcEndpointId apiVersion serviceEventDetails
CreationTime Id Operation OrganizationId RecordType ResultStatus UserKey UserType Version Workload
ClientIP UserId ObjectId AppId ClientAppId ExternalAccess OrganizationName OriginatingServer
Parameters Name Value ExtendedProperties ActorContextId ActorIpAddress InterSystemsId
IntraSystemId Target ID Type TargetContextId ApplicationId ErrorNumber AzureActiveDirectoryEventType
Actor ModifiedProperties NewValue OldValue EventSource ItemType ListId ListItemUniqueId Site
UserAgent WebId SourceFileExtension SiteUrl SourceFileName SourceRelativeUrl ClientIPAddress
LogonType MailboxGuid MailboxOwnerUPN InternalLogonType AppAccessContext CorrelationId
time resourceId operationName operationVersion category tenantId resultType resultSignature
resultDescription durationMs callerIpAddress correlationId identity Level location properties
id createdDateTime userDisplayName userPrincipalName userId appId appDisplayName ipAddress status
errorCode failureReason additionalDetails clientAppUsed deviceDetail deviceId displayName
operatingSystem browser isCompliant isManaged trustType city state countryOrRegion geoCoordinates
latitude longitude altitude riskDetail riskLevelAggregated riskLevelDuringSignIn riskState
riskEventTypes riskEventTypes_v2 resourceDisplayName conditionalAccessStatus isInteractive
appliedConditionalAccessPolicies tokenIssuerType authenticationProtocol homeTenantId
authenticationDetails authenticationRequirement servicePrincipalId servicePrincipalName
actor alternateId detailEntry client rawUserAgent os zone device ipAddress geographicalContext
country postalCode geolocation lat lon authenticationContext authenticationProvider
credentialProvider credentialType issuer interface authenticationStep externalSessionId
displayMessage outcome result reason published securityContext asNumber asOrg isp domain isProxy
severity debugContext debugData requestId threatSuspected url requestUri legacyEventType
transaction detail uuid version request ipChain source target
ts uid id.orig_h id.orig_p id.resp_h id.resp_p id_orig_h id_orig_p id_resp_h id_resp_p proto
service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history
orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents orig_l2_addr resp_l2_addr
community_id _path @stream @system @proc trans_id rtt query qclass qclass_name qtype qtype_name
rcode rcode_name AA TC RD RA Z answers TTLs rejected trans_depth method host uri referrer
user_agent request_body_len response_body_len status_code status_msg tags resp_fuids
resp_mime_types orig_fuids orig_mime_types client_header_names cipher curve server_name resumed
established cert_chain_fuids client_cert_chain_fuids subject validation_status ja3 ja3s
next_protocol last_alert fuid
`

// labelLists holds the shared category and type lists, by their labels.
var labelLists sync.Map // labelKey → []string

const maxLabels = 3

type labelKey struct {
	n  int
	ls [maxLabels]string
}

// labels returns a list of constant labels (an ECS event.category or
// event.type) shared by every event that carries it: a list per event is an
// allocation per event for values that never change. Its capacity is its
// length, so a caller appending to it gets a copy; nothing writes into one.
func labels(ls ...string) []string {
	if len(ls) > maxLabels {
		return slices.Clone(ls)
	}
	k := labelKey{n: len(ls)}
	copy(k.ls[:], ls)
	if l, ok := labelLists.Load(k); ok {
		return l.([]string)
	}
	l, _ := labelLists.LoadOrStore(k, slices.Clip(slices.Clone(ls)))
	return l.([]string)
}
