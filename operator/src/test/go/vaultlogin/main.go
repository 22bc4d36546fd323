// vaultlogin prints the login data of `vault login -method=aws` (iam): the four fields that
// Vault's CLI sends, made by its own library, go-secure-stdlib/awsutil GenerateLoginData, with
// the credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (optional).
//
//	vaultlogin -region us-east-1 [-server-id vault.example.com]
//
// As in the CLI, the region picks the STS host signed for (aws-sdk-go v1: sts.amazonaws.com for
// us-east-1; AWS_STS_REGIONAL_ENDPOINTS=regional for sts.<region>.amazonaws.com) and the
// signature's region. The output is one JSON object of field name to value; nothing is sent.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-secure-stdlib/awsutil"
)

func main() {
	region := flag.String("region", "us-east-1", "region of the STS client (Vault CLI's region=)")
	serverID := flag.String("server-id", "", "X-Vault-AWS-IAM-Server-ID value (header_value=)")
	flag.Parse()
	creds := credentials.NewStaticCredentials(
		os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))
	data, err := awsutil.GenerateLoginData(creds, *serverID, *region, hclog.NewNullLogger())
	if err != nil {
		fmt.Fprintln(os.Stderr, "GenerateLoginData:", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(data); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
