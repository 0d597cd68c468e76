package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/testenv"
)

// The tests in this file run `vigil scan` (ScanFiles) with the detection
// library and correlation rules on disk over real public attack datasets
// (../shared/datasets, described by its README.md and MANIFEST.jsonl) and
// check that what the datasets' documentation says they contain is found.

// scanWithLibrary scans files with the policies and correlation rules of
// this repository's policies folder.
func scanWithLibrary(t *testing.T, source string, files ...string) *ScanResult {
	t.Helper()
	policies, err := filepath.Abs(filepath.Join("..", "..", "policies"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ScanFiles(context.Background(), ScanOptions{
		Files:     files,
		Source:    source,
		PolicyDir: policies,
		RulesDir:  filepath.Join(policies, "correlations"),
		Tenant:    "default",
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return res
}

// manifestTechniques maps a dataset file (relative to the datasets folder)
// to the ATT&CK technique its MANIFEST record documents.
func manifestTechniques(t *testing.T, dir string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "MANIFEST.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			File   string          `json:"file"`
			Attack json.RawMessage `json:"attack"` // a string for OTRF records
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("MANIFEST.jsonl: %v", err)
		}
		var attack string
		if rec.File != "" && json.Unmarshal(rec.Attack, &attack) == nil && attack != "" {
			out[rec.File], _, _ = strings.Cut(attack, " ")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func detectionSet(alerts []event.Alert) map[string]bool {
	out := map[string]bool{}
	for _, a := range alerts {
		out[a.DetectionID] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func describeIncidents(incs []event.Incident) string {
	var b strings.Builder
	for _, inc := range incs {
		fmt.Fprintf(&b, "\n  %s %s key=%q detections=%v", inc.Rule, inc.Severity, inc.Key, inc.DetectionIDs)
	}
	return b.String()
}

// wantIncident is an incident an analyst would open: the rule, parts of its
// key, and detections it must group.
type wantIncident struct {
	rule       string
	key        []string // substrings of Incident.Key, e.g. "host=WORKSTATION5"
	detections []string
	minSev     event.Severity
}

func (w wantIncident) matches(inc event.Incident) bool {
	if inc.Rule != w.rule || inc.Severity < w.minSev {
		return false
	}
	for _, k := range w.key {
		if !strings.Contains(inc.Key, k) {
			return false
		}
	}
	for _, d := range w.detections {
		if !slices.Contains(inc.DetectionIDs, d) {
			return false
		}
	}
	return true
}

// TestDatasetsOTRF scans each OTRF simulation on its own (a human analyst
// looks at one simulation at a time) and checks the detections for the
// documented technique and the incidents an analyst would open.
func TestDatasetsOTRF(t *testing.T) {
	dir := testenv.Datasets(t)
	techniques := manifestTechniques(t, dir)
	const win = "otrf-security-datasets/datasets/atomic/windows/"
	tests := []struct {
		name string
		file string
		// detections that must raise an alert
		detections []string
		// incidents that must be opened
		incidents []wantIncident
		// no incident at or above this severity may be opened (0: no limit)
		maxIncidentSev event.Severity
	}{
		{
			name:       "T1003.004 PsExec -s reg save HKLM\\security",
			file:       win + "credential_access/host/cmd_psexec_lsa_secrets_dump/cmd_psexec_lsa_secrets_dump_2020-10-1903305471.json",
			detections: []string{"windows-registry-hive-dump", "windows-psexec-lateral-movement", "windows-service-installed"},
			incidents: []wantIncident{{
				rule: "entity-host", key: []string{"host=WORKSTATION5"}, minSev: event.SeverityHigh,
				detections: []string{"windows-registry-hive-dump", "windows-psexec-lateral-movement"},
			}},
		},
		{
			name:       "T1197 bitsadmin /transfer",
			file:       win + "defense_evasion/host/cmd_bitsadmin_download_psh_script/cmd_bitsadmin_download_psh_script_2020-10-2302365189.json",
			detections: []string{"windows-bitsadmin-download"},
			incidents: []wantIncident{{
				rule: "entity-host", key: []string{"host=WORKSTATION5"}, minSev: event.SeverityHigh,
				detections: []string{"windows-bitsadmin-download"},
			}},
		},
		{
			name:       "T1218.003 CMSTP UAC bypass",
			file:       win + "defense_evasion/host/psh_cmstp_execution_bypassuac/psh_cmstp_execution_bypassuac_2020-10-2201543213.json",
			detections: []string{"windows-cmstp-uac-bypass"},
			incidents: []wantIncident{{
				rule: "entity-host", key: []string{"host=WORKSTATION5"}, minSev: event.SeverityHigh,
				detections: []string{"windows-cmstp-uac-bypass"},
			}},
		},
		{
			// Discovery alone: an alert, but no high incident.
			name:           "T1069.001 net localgroup administrators",
			file:           win + "discovery/host/empire_shell_net_localgroup_administrators/empire_shell_net_localgroup_administrators_2020-09-21191843.json",
			detections:     []string{"windows-local-admin-group-discovery"},
			maxIncidentSev: event.SeverityHigh,
		},
		{
			name:       "T1021.002 Covenant copy to \\\\WORKSTATION6\\C$",
			file:       win + "lateral_movement/host/covenant_copy_smb_CreateRequest/covenant_copy_smb_CreateRequest_2020-09-22145302.json",
			detections: []string{"windows-admin-share-file-write"},
			incidents: []wantIncident{{
				rule: "endpoint-lateral-tool-transfer", key: []string{"host=WORKSTATION6.theshire.local"}, minSev: event.SeverityHigh,
				detections: []string{"windows-admin-share-file-write"},
			}},
		},
		{
			name:       "T1037.001 UserInitMprLogonScript",
			file:       win + "persistence/host/cmd_userinitmprlogonscript_batch/cmd_userinitmprlogonscript_batch_2020-10-1922471810.json",
			detections: []string{"windows-logon-script-persistence"},
			incidents: []wantIncident{{
				rule: "entity-host", key: []string{"host=WORKSTATION5"}, minSev: event.SeverityHigh,
				detections: []string{"windows-logon-script-persistence"},
			}},
		},
		{
			// No ATT&CK mapping in the manifest; the PoshC2 stager download
			// and its self-signed TLS channel to 192.168.0.4 are in the log.
			name:       "APT29 day 2 Zeek",
			file:       "otrf-security-datasets/datasets/compound/apt29/day2/zeek/combined_zeek.log",
			detections: []string{"zeek-http-executable-from-ip", "zeek-tls-self-signed-no-sni"},
			incidents: []wantIncident{{
				rule: "network-c2-channel", key: []string{"ip=10.0.1.5", "192.168.0.4"}, minSev: event.SeverityHigh,
				detections: []string{"zeek-http-executable-from-ip", "zeek-tls-self-signed-no-sni"},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := scanWithLibrary(t, "", filepath.Join(dir, tc.file))
			if res.Events == 0 {
				t.Fatalf("no events parsed from %s", tc.file)
			}
			got := detectionSet(res.Alerts)
			for _, d := range tc.detections {
				if !got[d] {
					t.Errorf("detection %s did not fire; fired: %v", d, sortedKeys(got))
				}
			}
			if tech := techniques[tc.file]; tech != "" {
				found := false
				for _, a := range res.Alerts {
					for _, at := range a.Techniques {
						if at == tech || strings.HasPrefix(tech, at+".") {
							found = true
						}
					}
				}
				if !found {
					t.Errorf("no alert carries the documented technique %s", tech)
				}
			}
			for _, w := range tc.incidents {
				if !slices.ContainsFunc(res.Incidents, w.matches) {
					t.Errorf("no %s incident on %v with %v (severity >= %s); incidents:%s", w.rule, w.key, w.detections, w.minSev, describeIncidents(res.Incidents))
				}
			}
			if tc.maxIncidentSev != 0 {
				for _, inc := range res.Incidents {
					if inc.Severity >= tc.maxIncidentSev {
						t.Errorf("incident %s (%s) at %s; discovery alone must stay below %s", inc.Rule, inc.Key, inc.Severity, tc.maxIncidentSev)
					}
				}
			}
		})
	}
}

// TestDatasetsSigma scans the Sigma regression events of the rules whose
// behaviour the library covers; each must raise our equivalent detection.
func TestDatasetsSigma(t *testing.T) {
	dir := testenv.Datasets(t)
	const base = "sigma/regression_data/rules/windows/process_creation/"
	tests := []struct {
		name      string
		dir       string
		detection string
	}{
		{"bitsadmin download from a direct IP", base + "proc_creation_win_bitsadmin_download_direct_ip", "windows-bitsadmin-download"},
		{"bitsadmin download to a suspicious folder", base + "proc_creation_win_bitsadmin_download_susp_targetfolder", "windows-bitsadmin-download"},
		{"Run key added with reg.exe", base + "proc_creation_win_reg_add_run_key", "windows-run-key-added-with-reg"},
		{"security product uninstalled with WMIC", base + "proc_creation_win_wmic_uninstall_security_products", "windows-wmic-security-product-removal"},
		{"security product service stopped with WMIC", base + "proc_creation_win_wmic_service_manipulation", "windows-wmic-security-product-removal"},
		{"GPP passwords searched in SYSVOL", base + "proc_creation_win_findstr_gpp_passwords", "windows-gpp-password-search"},
		{"certificate exported with certutil", base + "proc_creation_win_certutil_export_pfx", "windows-certutil-pfx-export"},
		{"cached credentials listed with cmdkey", base + "proc_creation_win_cmdkey_recon", "windows-cmdkey-credential-listing"},
		{"hotfixes listed with WMIC", base + "proc_creation_win_wmic_recon_hotfix", "windows-wmic-system-discovery"},
		{"computer system listed with WMIC", base + "proc_creation_win_wmic_recon_computersystem", "windows-wmic-system-discovery"},
		{"antivirus product queried with WMIC", base + "proc_creation_win_wmic_recon_product_class", "windows-wmic-system-discovery"},
		{"services listed with WMIC", base + "proc_creation_win_wmic_recon_unquoted_service_search", "windows-wmic-system-discovery"},
		{"firewall service stopped with sc", base + "proc_creation_win_sc_stop_service", "windows-security-service-stopped"},
	}
	var files []string
	fileOf := map[string]string{}
	for _, tc := range tests {
		m, err := filepath.Glob(filepath.Join(dir, tc.dir, "*.json"))
		if err != nil || len(m) == 0 {
			t.Fatalf("%s: no event file (%v)", tc.dir, err)
		}
		files = append(files, m...)
		for _, f := range m {
			fileOf[f] = tc.name
		}
	}
	res := scanWithLibrary(t, "", files...)
	fired := map[string]map[string]bool{}
	for _, a := range res.Alerts {
		for _, o := range a.Origins {
			if fired[fileOf[o.File]] == nil {
				fired[fileOf[o.File]] = map[string]bool{}
			}
			fired[fileOf[o.File]][a.DetectionID] = true
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !fired[tc.name][tc.detection] {
				t.Errorf("%s did not fire; fired: %v", tc.detection, sortedKeys(fired[tc.name]))
			}
		})
	}
}

// pantherRule maps a panther-analysis rule to the library's detection with
// the same semantics. Each test event of the rule labelled true must raise
// the detection, each labelled false must not.
type pantherRule struct {
	file      string // under panther-analysis/rules/
	detection string
	// only these tests (by Name) when the panther rule is broader than ours
	only []string
	// tests left out, with the reason
	skip map[string]string
}

// pantherSources maps panther log types to vigil parsers and the field that
// holds the event time.
func pantherSource(logType string, log map[string]any) (source, timeKey string) {
	switch {
	case logType == "AWS.CloudTrail":
		return "aws.cloudtrail", "eventTime"
	case logType == "Okta.SystemLog":
		return "okta.system", "published"
	case strings.HasPrefix(logType, "Microsoft365.Audit"):
		return "o365.audit", "CreationTime"
	case logType == "Azure.Audit":
		if c, _ := log["category"].(string); strings.HasSuffix(c, "SignInLogs") {
			return "azure.signinlogs", "time"
		}
	}
	return "", ""
}

func TestDatasetsPanther(t *testing.T) {
	dir := testenv.Datasets(t)
	// Our S3 detection covers three panther rules at once: a test event of
	// one of them that is the behaviour of another is no true negative.
	sibling := "the behaviour of a sibling panther rule that aws-s3-bucket-protection-weakened also covers"
	rules := []pantherRule{
		{file: "aws_cloudtrail_rules/aws_cloudtrail_stopped.yml", detection: "aws-cloudtrail-logging-disabled"},
		{file: "aws_cloudtrail_rules/aws_kms_cmk_loss.yml", detection: "aws-kms-key-disabled-or-deleted"},
		{file: "aws_cloudtrail_rules/aws_rds_instance_made_public.yml", detection: "aws-rds-protection-weakened"},
		{file: "aws_cloudtrail_rules/aws_rds_deletion_protection_disabled.yml", detection: "aws-rds-protection-weakened"},
		{file: "aws_cloudtrail_rules/aws_rds_activity_stream_stopped.yml", detection: "aws-rds-protection-weakened"},
		{file: "aws_cloudtrail_rules/aws_s3_delete_bucket_encryption.yml", detection: "aws-s3-bucket-protection-weakened"},
		{file: "aws_cloudtrail_rules/aws_s3_suspend_versioning.yml", detection: "aws-s3-bucket-protection-weakened",
			skip: map[string]string{"Different S3 Event": sibling}},
		{file: "aws_cloudtrail_rules/aws_s3_disable_mfa_delete.yml", detection: "aws-s3-bucket-protection-weakened",
			skip: map[string]string{"Different S3 Event": sibling}},
		{file: "aws_cloudtrail_rules/aws_vpc_flow_logs_deleted.yml", detection: "aws-flow-logs-deleted"},
		{file: "aws_cloudtrail_rules/aws_resource_made_public.yml", detection: "aws-s3-bucket-made-public",
			only: []string{"S3 Made Publicly Accessible"}},
		{file: "okta_rules/okta_admin_role_assigned.yml", detection: "okta-admin-role-granted"},
		// Lower-cased data-lake keys (eventtype, legacyeventtype, ...).
		{file: "okta_rules/okta_user_mfa_reset_all.yml", detection: "okta-mfa-factor-reset"},
		{file: "azure_signin_rules/azure_high_risk_signin.yml", detection: "entra-high-risk-signin"},
	}

	type labelled struct {
		rule      pantherRule
		name      string
		expected  bool
		source    string
		path      string
		skipCause string
	}
	var cases []labelled
	tmp := t.TempDir()
	for i, r := range rules {
		b, err := os.ReadFile(filepath.Join(dir, "panther-analysis", "rules", r.file))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			LogTypes []string `yaml:"LogTypes"`
			Tests    []struct {
				Name           string         `yaml:"Name"`
				ExpectedResult bool           `yaml:"ExpectedResult"`
				Log            map[string]any `yaml:"Log"`
			} `yaml:"Tests"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", r.file, err)
		}
		for j, tc := range doc.Tests {
			if len(r.only) > 0 && !slices.Contains(r.only, tc.Name) {
				continue
			}
			lt, _ := tc.Log["p_log_type"].(string)
			if lt == "" && len(doc.LogTypes) == 1 {
				lt = doc.LogTypes[0]
			}
			source, timeKey := pantherSource(lt, tc.Log)
			if source == "" {
				t.Fatalf("%s %q: log type %q has no vigil parser", r.file, tc.Name, lt)
			}
			// Test events trimmed to the fields a rule reads may lack the
			// time; the detections here do not depend on it.
			if v, ok := tc.Log[timeKey].(string); !ok || !strings.ContainsAny(v, "0123456789") {
				tc.Log[timeKey] = "2024-01-01T00:00:00Z"
			}
			js, err := json.Marshal(tc.Log)
			if err != nil {
				t.Fatalf("%s %q: %v", r.file, tc.Name, err)
			}
			path := filepath.Join(tmp, fmt.Sprintf("%02d-%02d.json", i, j))
			if err := os.WriteFile(path, js, 0o600); err != nil {
				t.Fatal(err)
			}
			cases = append(cases, labelled{rule: r, name: tc.Name, expected: tc.ExpectedResult, source: source, path: path, skipCause: r.skip[tc.Name]})
		}
	}

	// One scan per log source: the engine is built once per scan.
	bySource := map[string][]string{}
	for _, c := range cases {
		bySource[c.source] = append(bySource[c.source], c.path)
	}
	fired := map[string]map[string]bool{} // file → detections
	for source, files := range bySource {
		res := scanWithLibrary(t, source, files...)
		for _, rej := range res.Rejected {
			t.Errorf("%s: rejected %s: %s", rej.File, rej.Reason, rej.Error)
		}
		for _, a := range res.Alerts {
			for _, o := range a.Origins {
				if fired[o.File] == nil {
					fired[o.File] = map[string]bool{}
				}
				fired[o.File][a.DetectionID] = true
			}
		}
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(c.rule.file), ".yml")+"/"+c.name, func(t *testing.T) {
			if c.skipCause != "" {
				t.Skip(c.skipCause)
			}
			got := fired[c.path][c.rule.detection]
			switch {
			case c.expected && !got:
				t.Errorf("true positive: %s did not fire; fired: %v", c.rule.detection, sortedKeys(fired[c.path]))
			case !c.expected && got:
				t.Errorf("true negative: %s fired", c.rule.detection)
			}
		})
	}
}
