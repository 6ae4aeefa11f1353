curl -s "$URL" | jq .
