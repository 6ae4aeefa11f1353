module github.com/acme/hello/v2

go 1.23

require github.com/google/uuid v1.6.0
