#include <stdio.h>

int main(int argc, char **argv) {
    FILE *in = fopen(argv[1], "r");
    if (in == NULL) return 1;
    fclose(in);
    return 0;
}
