<?php

declare(strict_types=1);

namespace StatusBoard;

final class ServiceRegistry
{
    public const STATUSES = ['operational', 'degraded', 'outage', 'maintenance'];

    /** @var array<string, array{name: string, status: string}> */
    private array $services;

    /**
     * @param array<string, array{name: string, status: string}> $services
     */
    public function __construct(array $services)
    {
        $this->services = $services;
    }

    public static function fromFile(string $path): self
    {
        /** @var array<string, array{name: string, status: string}> $services */
        $services = require $path;

        return new self($services);
    }

    /**
     * @return array<string, array{name: string, status: string}>
     */
    public function all(): array
    {
        return $this->services;
    }

    /**
     * @return array{name: string, status: string}|null
     */
    public function find(string $id): ?array
    {
        return $this->services[$id] ?? null;
    }

    public function setStatus(string $id, string $status): void
    {
        if (!isset($this->services[$id])) {
            throw new \OutOfBoundsException(sprintf('Unknown service "%s"', $id));
        }
        if (!in_array($status, self::STATUSES, true)) {
            throw new \InvalidArgumentException(sprintf('Unknown status "%s"', $status));
        }
        $this->services[$id]['status'] = $status;
    }

    public function overall(): string
    {
        $statuses = array_column($this->services, 'status');
        foreach (['outage', 'degraded', 'maintenance'] as $worst) {
            if (in_array($worst, $statuses, true)) {
                return $worst;
            }
        }

        return 'operational';
    }
}
