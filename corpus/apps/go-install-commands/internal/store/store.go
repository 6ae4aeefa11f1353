// Package store keeps notes in memory.
package store

import "sync"

// Store is a list of notes safe for concurrent use.
type Store struct {
	mu    sync.Mutex
	notes []string
}

// Add appends a note.
func (s *Store) Add(note string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes = append(s.notes, note)
}

// All returns a copy of the notes.
func (s *Store) All() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.notes...)
}
