#include <stdio.h>

#include "greeting.h"

const char *greeting_salutation(int hour)
{
    if (hour >= 5 && hour < 12)
        return "Good morning";
    if (hour >= 12 && hour < 18)
        return "Good afternoon";
    return "Good evening";
}

int greeting_format(char *buf, size_t size, const char *name, int hour)
{
    return snprintf(buf, size, "%s, %s!", greeting_salutation(hour), name);
}
