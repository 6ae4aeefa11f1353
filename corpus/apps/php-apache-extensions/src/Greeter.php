<?php
declare(strict_types=1);

namespace Greetings;

final class Greeter
{
    public function __construct(private string $locale)
    {
    }

    public function greet(string $name): string
    {
        $formatter = new \MessageFormatter($this->locale, 'Hallo, {0}!');
        return $formatter->format([$name]);
    }
}
