module github.com/example/notes

go 1.23
