// Command app computes an Adler-32 checksum of its arguments (or of a
// built-in sample text) with a small C function called through cgo, checks
// it against the Go standard library and prints the result.
package main

/*
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static uint32_t adler32(const unsigned char *buf, size_t len) {
	uint32_t a = 1, b = 0;
	for (size_t i = 0; i < len; i++) {
		a = (a + buf[i]) % 65521;
		b = (b + a) % 65521;
	}
	return (b << 16) | a;
}
*/
import "C"

import (
	"fmt"
	"hash/adler32"
	"os"
	"strings"
	"unsafe"
)

func cAdler32(s string) uint32 {
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	return uint32(C.adler32((*C.uchar)(unsafe.Pointer(cs)), C.size_t(len(s))))
}

func main() {
	text := "Wikipedia"
	if len(os.Args) > 1 {
		text = strings.Join(os.Args[1:], " ")
	}

	got := cAdler32(text)
	want := adler32.Checksum([]byte(text))
	if got != want {
		fmt.Fprintf(os.Stderr, "adler32 mismatch for %q: C %08x, Go %08x\n", text, got, want)
		os.Exit(1)
	}
	fmt.Printf("adler32(%q) = %08x\n", text, got)
}
