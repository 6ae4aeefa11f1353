import './style.css';
import { conversions } from './conversions.js';

const valueInput = document.querySelector('#value');
const kindSelect = document.querySelector('#kind');
const result = document.querySelector('#result');

for (const [key, { label }] of Object.entries(conversions)) {
  const option = document.createElement('option');
  option.value = key;
  option.textContent = label;
  kindSelect.append(option);
}

function render() {
  const value = Number.parseFloat(valueInput.value);
  const conversion = conversions[kindSelect.value];
  if (Number.isNaN(value) || !conversion) {
    result.textContent = 'Enter a number.';
    return;
  }
  const converted = conversion.convert(value);
  result.textContent = `${converted.toFixed(3)} ${conversion.unit}`;
}

valueInput.addEventListener('input', render);
kindSelect.addEventListener('change', render);
render();
