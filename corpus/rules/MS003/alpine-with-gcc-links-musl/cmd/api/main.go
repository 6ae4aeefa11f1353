package main

import (
	"net/http"

	"github.com/google/uuid"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(uuid.NewString())) })
	http.ListenAndServe(":8080", nil)
}
