export interface Item {
  sku: string;
  name: string;
  quantity: number;
}

const items: Item[] = [
  { sku: "BOLT-M6", name: "Hex bolt M6", quantity: 420 },
  { sku: "NUT-M6", name: "Hex nut M6", quantity: 515 },
  { sku: "WASH-6", name: "Washer 6 mm", quantity: 88 },
];

export function listItems(): Item[] {
  return items.slice();
}

export function findItem(sku: string): Item | undefined {
  return items.find((item) => item.sku === sku.toUpperCase());
}
