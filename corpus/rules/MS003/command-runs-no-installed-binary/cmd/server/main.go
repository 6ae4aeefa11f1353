package main

import (
	"net/http"

	"example.com/shop/internal/store"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(store.Name)) })
	http.ListenAndServe(":8080", nil)
}
