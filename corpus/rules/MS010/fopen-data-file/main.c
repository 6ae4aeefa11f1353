#include <stdio.h>

int main(void) {
    FILE *words = fopen("data/words.txt", "r");
    if (words == NULL) return 1;
    fclose(words);
    return 0;
}
