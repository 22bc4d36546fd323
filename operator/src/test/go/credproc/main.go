// Command credproc is the Go SDK v2 side of CredentialProcessRotationIT (issue 17): it loads the
// shared config the way any workload does (AWS_CONFIG_FILE, config.LoadDefaultConfig: the profile's
// credential_process through processcreds) and calls sts:GetCallerIdentity every second until the
// file named by its only argument exists, printing one JSON line per call: the time, whether it
// worked, and a hash of the access key ID it used (never the key itself).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

type line struct {
	T     float64 `json:"t"`
	Ok    bool    `json:"ok"`
	Key   string  `json:"key,omitempty"`
	Error string  `json:"error,omitempty"`
	Runs  int     `json:"runs"`
}

func main() {
	stop := os.Args[1]
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(2)
	}
	client := sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.BaseEndpoint = aws(os.Getenv("AAO_ENDPOINT"))
	})
	out := json.NewEncoder(os.Stdout)
	for {
		if _, err := os.Stat(stop); err == nil {
			return
		}
		t := time.Now()
		l := line{T: float64(t.UnixNano()) / 1e9, Runs: -1}
		if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			l.Error = err.Error()
			if len(l.Error) > 200 {
				l.Error = l.Error[:200]
			}
		} else if creds, err := cfg.Credentials.Retrieve(ctx); err != nil {
			l.Error = "retrieve: " + err.Error()
		} else {
			sum := sha256.Sum256([]byte(creds.AccessKeyID))
			l.Ok, l.Key = true, hex.EncodeToString(sum[:])[:16]
		}
		_ = out.Encode(l)
		time.Sleep(time.Until(t.Add(time.Second)))
	}
}

func aws(s string) *string { return &s }
