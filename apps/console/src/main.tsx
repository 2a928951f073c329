import { render } from 'preact';
import { App } from './app';
import './console.css';

const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading" placeholder of index.html
render(<App />, root);
