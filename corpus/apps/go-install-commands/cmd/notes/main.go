package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/example/notes/internal/store"
)

func main() {
	var s store.Store
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	http.HandleFunc("/notes", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			s.Add(string(body))
		}
		json.NewEncoder(w).Encode(s.All())
	})
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
