# config/samples/iam-proof.py: a signed sts:GetCallerIdentity request made with the workload's
# own AWS credentials (botocore's default chain), printed as the four fields `vault login
# -method=aws` sends, for `kubectl create secret generic ... --from-env-file`.
# STS_URL: an STS host the AwsAuthConfig accepts (stsAllowedHosts; default the global one),
# STS_REGION: the region to sign for (that of a regional STS_URL); SERVER_ID: its
# iamServerIdHeaderValue, if set.
import base64, json, os
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

url = os.environ.get("STS_URL", "https://sts.amazonaws.com/")
body = "Action=GetCallerIdentity&Version=2011-06-15"
headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
if os.environ.get("SERVER_ID"):
    headers["X-Vault-AWS-IAM-Server-ID"] = os.environ["SERVER_ID"]
request = AWSRequest(method="POST", url=url, data=body, headers=headers)
region = os.environ.get("STS_REGION", "us-east-1")
SigV4Auth(botocore.session.Session().get_credentials(), "sts", region).add_auth(request)
b64 = lambda s: base64.b64encode(s.encode()).decode()
print("iam_http_request_method=POST")
print(f"iam_request_url={b64(url)}")
print(f"iam_request_body={b64(body)}")
print(f"iam_request_headers={b64(json.dumps({k: [v] for k, v in request.headers.items()}))}")
