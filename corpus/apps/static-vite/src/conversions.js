export const conversions = {
  'km-mi': { label: 'kilometres → miles', unit: 'mi', convert: (v) => v * 0.621371 },
  'mi-km': { label: 'miles → kilometres', unit: 'km', convert: (v) => v / 0.621371 },
  'c-f': { label: '°C → °F', unit: '°F', convert: (v) => (v * 9) / 5 + 32 },
  'f-c': { label: '°F → °C', unit: '°C', convert: (v) => ((v - 32) * 5) / 9 },
  'kg-lb': { label: 'kilograms → pounds', unit: 'lb', convert: (v) => v * 2.204623 },
};
