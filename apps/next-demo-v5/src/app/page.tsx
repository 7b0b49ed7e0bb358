export { HomePage as default } from 'next-demo-shared/home';
