<?php

declare(strict_types=1);

namespace StatusBoard;

use FastRoute\Dispatcher;
use FastRoute\RouteCollector;

use function FastRoute\simpleDispatcher;

final class App
{
    private Dispatcher $dispatcher;

    public function __construct(private ServiceRegistry $registry)
    {
        $this->dispatcher = simpleDispatcher(function (RouteCollector $r): void {
            $r->addRoute('GET', '/', 'page');
            $r->addRoute('GET', '/health', 'health');
            $r->addRoute('GET', '/api/services', 'list');
            $r->addRoute('GET', '/api/services/{id:[a-z0-9-]+}', 'show');
            $r->addRoute('PUT', '/api/services/{id:[a-z0-9-]+}', 'update');
        });
    }

    public function handle(string $method, string $uri, string $body = ''): Response
    {
        $path = rawurldecode(parse_url($uri, PHP_URL_PATH) ?: '/');
        $route = $this->dispatcher->dispatch($method, $path);

        return match ($route[0]) {
            Dispatcher::NOT_FOUND => Response::json(['error' => 'not found'], 404),
            Dispatcher::METHOD_NOT_ALLOWED => Response::json(['error' => 'method not allowed'], 405),
            default => $this->{$route[1]}($route[2], $body),
        };
    }

    /** @param array<string, string> $vars */
    private function health(array $vars, string $body): Response
    {
        return Response::json(['status' => 'ok']);
    }

    /** @param array<string, string> $vars */
    private function list(array $vars, string $body): Response
    {
        return Response::json([
            'overall' => $this->registry->overall(),
            'services' => $this->registry->all(),
        ]);
    }

    /** @param array<string, string> $vars */
    private function show(array $vars, string $body): Response
    {
        $service = $this->registry->find($vars['id']);

        return $service === null
            ? Response::json(['error' => 'unknown service'], 404)
            : Response::json(['id' => $vars['id']] + $service);
    }

    /** @param array<string, string> $vars */
    private function update(array $vars, string $body): Response
    {
        try {
            $data = json_decode($body, true, 8, JSON_THROW_ON_ERROR);
            $this->registry->setStatus($vars['id'], (string) ($data['status'] ?? ''));
        } catch (\JsonException | \InvalidArgumentException $e) {
            return Response::json(['error' => $e->getMessage()], 422);
        } catch (\OutOfBoundsException $e) {
            return Response::json(['error' => $e->getMessage()], 404);
        }

        return $this->show($vars, $body);
    }

    /** @param array<string, string> $vars */
    private function page(array $vars, string $body): Response
    {
        $rows = '';
        foreach ($this->registry->all() as $service) {
            $rows .= sprintf(
                "      <tr><td>%s</td><td class=\"%s\">%s</td></tr>\n",
                htmlspecialchars($service['name']),
                htmlspecialchars($service['status']),
                htmlspecialchars($service['status']),
            );
        }
        $overall = htmlspecialchars($this->registry->overall());

        return Response::html(<<<HTML
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Status</title></head>
            <body>
              <h1>All systems: {$overall}</h1>
              <table>
            {$rows}  </table>
            </body>
            </html>

            HTML);
    }
}
