//! A builder for documents, beside the other builders: a small PDF uploaded through the
//! domain service (as the operator), so a test names only what it is about.

use axis_documents::{Document, DocumentFields, DocumentType};
use axis_kernel::{Actor, ClientId, FileSink};
use bytes::Bytes;

use crate::TestApp;

/// A PDF of `size` bytes (at least its header): what the builder uploads.
pub fn pdf(size: usize) -> Vec<u8> {
    let mut file = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    file.extend((file.len()..size.max(file.len())).map(|i| b'a' + (i % 26) as u8));
    file
}

/// A draft document with a 20 KB PDF, of no client unless [`DocumentBuilder::client`].
pub struct DocumentBuilder {
    fields: DocumentFields,
    file: Vec<u8>,
    file_name: String,
}

impl Default for DocumentBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl DocumentBuilder {
    pub fn new() -> Self {
        let fields = DocumentFields {
            title: "Service agreement".to_owned(),
            description: None,
            doc_type: DocumentType::Contract,
            expiry_date: None,
            confidential: false,
            tags: Vec::new(),
            client_id: None,
            contract_id: None,
        };
        Self { fields, file: pdf(20_000), file_name: "agreement.pdf".to_owned() }
    }

    pub fn client(mut self, client: ClientId) -> Self {
        self.fields.client_id = Some(client);
        self
    }

    pub fn confidential(mut self) -> Self {
        self.fields.confidential = true;
        self
    }

    pub fn fields(mut self, change: impl FnOnce(&mut DocumentFields)) -> Self {
        change(&mut self.fields);
        self
    }

    /// The file and its name (the name's extension must fit its content).
    pub fn file(mut self, name: &str, contents: Vec<u8>) -> Self {
        self.file_name = name.to_owned();
        self.file = contents;
        self
    }

    pub async fn insert(self, app: &TestApp) -> Document {
        let operator = Actor::command_line();
        let documents = &app.wiring.documents;
        let mut upload = documents
            .begin_upload(&operator, self.fields, Some(&self.file_name))
            .await
            .expect("begin the upload");
        upload.feed(Bytes::from(self.file)).await.expect("feed the file");
        upload.finish().await.expect("store the document")
    }
}
